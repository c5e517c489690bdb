package io.twinstream.jobs.source;

/**
 * A record as the Kafka source read it: its partition and offset beside what the job's
 * deserializer made of it. Lives only inside {@link CaughtUpIdleSource}'s reader, which tracks each
 * partition's position with it and passes {@code value} on: never serialized, never between operators.
 */
record Polled<T>(int partition, long offset, T value) {}
