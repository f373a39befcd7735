// Every REST API this server implements.
import { ApiRegistry } from './registry.js';
import { accountApis } from './accounts.js';
import { messageApis } from './messages.js';
import { extensionApis } from './extensions.js';
import { parleyApis } from './parley.js';

export function defaultRegistry(): ApiRegistry {
  return new ApiRegistry().add(...accountApis, ...messageApis, ...extensionApis, ...parleyApis);
}
