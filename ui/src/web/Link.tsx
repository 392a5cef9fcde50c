import type { ReactNode } from "react";
import { routePath, type WebRoute } from "./routes";
import { useWeb } from "./shell";

/** A real link (it opens in a new tab too) that navigates in place on a plain click. */
export function Link({ to, children, testid }: { to: WebRoute; children: ReactNode; testid?: string }) {
  const { go } = useWeb();
  return (
    <a
      href={routePath(to)}
      data-testid={testid}
      onClick={(event) => {
        if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
        event.preventDefault();
        go(to);
      }}
    >
      {children}
    </a>
  );
}
