// debug 4 ships no type declarations; the one function used here.
declare module 'debug' {
  const debug: {
    /** Turns every namespace off, whatever DEBUG says; returns the namespaces that were on. */
    disable(): string;
  };
  export default debug;
}
