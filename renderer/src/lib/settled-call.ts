// A call made once its input has stopped changing (typing in a field asks once, not per keystroke),
// whose answer is dropped when the input changed again meanwhile. Returns the cleanup an $effect
// returns, so each change cancels the call the previous one scheduled.

export function settledCall<T>(call: () => Promise<T>, onValue: (value: T) => void, onError: (error: unknown) => void, ms = 300): () => void {
  let current = true;
  const timer = setTimeout(() => {
    call().then(
      (value) => current && onValue(value),
      (error: unknown) => current && onError(error),
    );
  }, ms);
  return () => {
    current = false;
    clearTimeout(timer);
  };
}

/**
 * For an $effect: `call` (null: nothing to ask) asked once settled; `show` gets the answer, or null and
 * the failure's message.
 */
export function settledAnswer<T>(call: (() => Promise<T>) | null, show: (value: T | null, failure: string) => void): (() => void) | undefined {
  if (!call) return void show(null, '');
  return settledCall(
    call,
    (value) => show(value, ''),
    (error) => show(null, error instanceof Error ? error.message : String(error)),
  );
}
