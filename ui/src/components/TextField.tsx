import type { InputHTMLAttributes, ReactNode } from "react";
import { digitsOnly } from "../lib/format";

type InputProps = Omit<InputHTMLAttributes<HTMLInputElement>, "value" | "onChange"> & {
  "data-testid": string;
};

interface Props extends InputProps {
  label: ReactNode;
  value: string;
  onChange: (value: string) => void;
  /** Class of the surrounding label, e.g. `grow` in an inline form. */
  labelClassName?: string;
  /** Drop everything but digits as the user types. */
  digits?: boolean;
}

/** A text input inside its label. */
export function TextField({ label, value, onChange, labelClassName, digits, ...input }: Props) {
  return (
    <label className={labelClassName}>
      {label}
      <input
        {...input}
        value={value}
        onChange={(e) => onChange(digits ? digitsOnly(e.target.value) : e.target.value)}
      />
    </label>
  );
}

/** A numeric PIN: hidden as it is typed, digits only. */
export function PinField(props: Omit<Props, "digits" | "type" | "inputMode">) {
  return <TextField {...props} type="password" inputMode="numeric" digits />;
}
