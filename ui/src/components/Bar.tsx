/** A horizontal bar: plain CSS, so it draws offline and scales with the text. */
export function Bar({ width, colour, label }: { width: number; colour?: string; label?: string }) {
  return (
    <div className="bar-track" role="presentation" title={label}>
      <div className="bar-fill" style={{ width: `${width}%`, background: colour }} />
    </div>
  );
}
