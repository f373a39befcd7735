// Credentials never reach logs: the usersig in a URL is replaced before it is written.

/**
 * The name is compared after percent-decoding, because the query parser decodes it too
 * (`%75sersig=` is read as usersig).
 */
export const redactUrl = (url: string): string =>
  url.replace(/([?&])([^=&]*)=([^&]*)/g, (whole, sep: string, name: string) => {
    let decoded = name;
    try {
      decoded = decodeURIComponent(name.replace(/\+/g, ' '));
    } catch {
      // not valid percent-encoding: compare the name as written
    }
    return decoded.toLowerCase() === 'usersig' ? `${sep}${name}=[redacted]` : whole;
  });
