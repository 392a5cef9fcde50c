import type { ReactNode } from "react";

export function Tabs({ children }: { children: ReactNode }) {
  return (
    <div className="tabs" role="tablist">
      {children}
    </div>
  );
}

interface TabProps {
  selected: boolean;
  onSelect: () => void;
  children: ReactNode;
  "data-testid": string;
}

export function Tab({ selected, onSelect, children, ...rest }: TabProps) {
  return (
    <button type="button" role="tab" aria-selected={selected} onClick={onSelect} {...rest}>
      {children}
    </button>
  );
}
