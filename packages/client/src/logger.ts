// setLogLevel: 0 everything, 1 release (info and up), 2 warnings and errors, 3 errors only, 4 silent.
export class Logger {
  level = 0;

  constructor(private readonly prefix: string) {}

  debug(...args: unknown[]): void {
    if (this.level <= 0) console.debug(this.prefix, ...args);
  }

  info(...args: unknown[]): void {
    if (this.level <= 1) console.info(this.prefix, ...args);
  }

  warn(...args: unknown[]): void {
    if (this.level <= 2) console.warn(this.prefix, ...args);
  }

  error(...args: unknown[]): void {
    if (this.level <= 3) console.error(this.prefix, ...args);
  }
}
