// A configuration the server cannot start with: reported as one line, exit status 2.
export class ConfigError extends Error {
  override name = 'ConfigError';
}
