// The ceiling experiment (BENCH_SKIP_WRITES=1): Parley with the send and recall transactions
// skipped, so the run measures everything else a request costs — HTTP, authentication,
// validation, the domain, the envelope — and so how much of the store's time a target leaves.
// Never a result: bench/run.ts labels such runs and judges no target with them.
import { storedMessageOf, tombstoneOf } from '../src/ports/message-flags.js';
import type { Store } from '../src/ports/store.js';

export function skipMessageWrites(store: Store): void {
  let id = 0;
  store.appendMessage = async (_app, m) => ({
    message: storedMessageOf(m, ++id),
    duplicate: false,
    recipientUnread: 1,
  });
  // One tombstone for every recall: the REST answer carries nothing of it.
  const tombstone = tombstoneOf(
    storedMessageOf(
      {
        from: '',
        to: '',
        seq: 0,
        random: 0,
        time: 0,
        body: [],
        cloudCustomData: '',
        origin: 'sendmsg',
        senderRoams: true,
        onlineOnly: false,
        countsUnread: true,
        updatesLastMessage: true,
        markRead: false,
        needReadReceipt: false,
        supportExtension: false,
        lifeTime: 0,
        queueUntil: 0,
        deliverTo: [],
      },
      0,
    ),
    '',
    0,
  );
  store.recallMessage = async () => ({ outcome: 'recalled', message: tombstone, recipientUnread: 0 });
}
