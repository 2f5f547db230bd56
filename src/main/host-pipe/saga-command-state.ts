/**
 * Where a saga's command is, for the saga layer (docs/protocol.md#outcomes): `buffered` (in the pending buffer, or queued
 * on the writer with its write not started: it can still be removed and never sent), `in-flight`
 * (its write started on the current host, which acks, and no ack covered it yet).
 */
export type SagaCommandState = 'buffered' | 'in-flight'
