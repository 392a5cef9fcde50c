import type { Channel } from "../bindings/Channel";
import { useShell } from "../context";
import { channelOptions } from "../lib/channels";

interface Props<T extends string> {
  label: string;
  value: T | null;
  options: readonly T[];
  /** Text of an option; the value itself when not given. */
  optionLabel?: (value: T) => string;
  /** `null` when "any" is picked. */
  onChange: (value: T | null) => void;
  "data-testid": string;
}

/** One filter of a list or report: "any", or one of the known values. */
export function FilterSelect<T extends string>({ label, value, options, optionLabel, onChange, ...rest }: Props<T>) {
  const { t } = useShell();
  return (
    <label>
      {label}
      <select {...rest} value={value ?? ""} onChange={(e) => onChange((e.target.value || null) as T | null)}>
        <option value="">{t.any}</option>
        {options.map((o) => (
          <option key={o} value={o}>
            {optionLabel ? optionLabel(o) : o}
          </option>
        ))}
      </select>
    </label>
  );
}

/** The channel filter: every channel a response can come from, as the backend lists them. */
export function ChannelFilter(props: Omit<Props<Channel>, "label" | "options" | "optionLabel">) {
  const { t } = useShell();
  return (
    <FilterSelect
      {...props}
      label={t.responses.channel}
      options={channelOptions()}
      optionLabel={t.responses.channelName}
    />
  );
}
