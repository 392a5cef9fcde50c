import type { ChannelView } from "../bindings/ChannelView";
import { useShell } from "../context";

const CHANNELS: ChannelView[] = ["interview", "kiosk", "paper", "web"];

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

/** The channel filter: every channel a response can come from. */
export function ChannelFilter(props: Omit<Props<ChannelView>, "label" | "options" | "optionLabel">) {
  const { t } = useShell();
  return (
    <FilterSelect {...props} label={t.responses.channel} options={CHANNELS} optionLabel={t.responses.channelName} />
  );
}
