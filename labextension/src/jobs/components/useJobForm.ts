import * as React from 'react';

import { FormErrors, errorsUnder } from '../formRules';

/** What a new job form keeps, whatever the job's kind. */
export interface IJobForm<S> {
  state: S;
  setState: React.Dispatch<React.SetStateAction<S>>;
  /** Sets some fields. */
  update: (change: Partial<S>) => void;
  errors: FormErrors;
  setErrors: (errors: FormErrors) => void;
  /** Checks the form (from now on after every edit); true when it is valid. */
  check: () => boolean;
  /** The messages of the fields under a request path. */
  under: (prefix: string) => string[];
  /** The message of exactly one request path. */
  exact: (key: string) => string[];
  /** Fields the user edited, which defaults no longer change. */
  touched: React.MutableRefObject<Set<string>>;
}

/**
 * A form's state and errors: nothing is checked before the first submit,
 * then the errors follow every edit (and every change of `deps`, such as
 * the loaded instance types).
 */
export function useJobForm<S>(
  initial: () => S,
  validate: (state: S) => FormErrors,
  deps: ReadonlyArray<unknown>,
  initialTouched: ReadonlyArray<string> = []
): IJobForm<S> {
  const [state, setState] = React.useState<S>(initial);
  const [errors, setErrors] = React.useState<FormErrors>({});
  const [submitted, setSubmitted] = React.useState(false);
  const touched = React.useRef(new Set<string>(initialTouched));

  React.useEffect(() => {
    if (submitted) {
      setErrors(validate(state));
    }
  }, [state, submitted, ...deps]);

  return {
    state,
    setState,
    update: change => setState(old => ({ ...old, ...change })),
    errors,
    setErrors,
    check: () => {
      setSubmitted(true);
      const found = validate(state);
      setErrors(found);
      return Object.keys(found).length === 0;
    },
    under: prefix => errorsUnder(errors, prefix),
    exact: key => (errors[key] ? [errors[key]] : []),
    touched
  };
}
