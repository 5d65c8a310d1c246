import * as React from 'react';

/**
 * The pieces of a name such as `atelier/datascience:latest` or
 * `ml.t3.medium` with a line break allowed after each separator, so a narrow
 * column wraps it where a reader would (`atelier/` `datascience:` `latest`)
 * instead of mid-word.
 */
export function breakPoints(text: string): string[] {
  return text.split(/(?<=[/:@._])/).filter(part => part.length > 0);
}

/** Text that wraps only after its separators (see `breakPoints`). */
export function BreakableText(props: { text: string }): JSX.Element {
  const parts = breakPoints(props.text);
  return (
    <>
      {parts.map((part, i) => (
        <React.Fragment key={i}>
          {part}
          {i < parts.length - 1 && <wbr />}
        </React.Fragment>
      ))}
    </>
  );
}
