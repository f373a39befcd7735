// Every REST API this server implements.
import { ApiRegistry } from './registry.js';
import { accountApis } from './accounts.js';
import { messageApis } from './messages.js';
import { conversationApis } from './conversations.js';
import { extensionApis } from './extensions.js';
import { parleyApis } from './parley.js';
import { profileApis } from './profiles.js';
import { muteApis } from './mutes.js';
import { readReceiptApis } from './read-receipts.js';

export function defaultRegistry(): ApiRegistry {
  return new ApiRegistry().add(
    ...accountApis,
    ...messageApis,
    ...readReceiptApis,
    ...extensionApis,
    ...profileApis,
    ...muteApis,
    ...conversationApis,
    ...parleyApis,
  );
}
