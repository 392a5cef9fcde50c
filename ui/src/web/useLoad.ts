import { useCallback, useEffect, useState } from "react";
import { useWeb } from "./shell";

/** Loads once per `key`, and again on `reload()`; a failure becomes words for the page. */
export function useLoad<T>(load: () => Promise<T>, key: string) {
  const { failed } = useWeb();
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setError(null);
    load().then(
      (value) => live && setData(value),
      (e: unknown) => live && setError(failed(e)),
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, tick]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { data, error, reload };
}
