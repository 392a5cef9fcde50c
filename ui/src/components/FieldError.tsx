/** Why the form beside it did not go through; nothing when there is no message. */
export function FieldError({ message, ...rest }: { message: string | null | undefined; "data-testid"?: string }) {
  if (!message) return null;
  return (
    <p className="field-error" role="alert" {...rest}>
      {message}
    </p>
  );
}
