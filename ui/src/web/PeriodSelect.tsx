import { useWeb } from "./shell";

/** A unit's periods to choose from, or ("") all of them. */
export function PeriodSelect({
  periods,
  value,
  onChange,
  testid,
}: {
  periods: string[];
  value: string;
  onChange: (period: string) => void;
  testid: string;
}) {
  const { t } = useWeb();
  return (
    <label>
      {t.unit.period}{" "}
      <select data-testid={testid} value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">{t.unit.allPeriods}</option>
        {periods.map((p) => (
          <option key={p} value={p}>
            {p}
          </option>
        ))}
      </select>
    </label>
  );
}
