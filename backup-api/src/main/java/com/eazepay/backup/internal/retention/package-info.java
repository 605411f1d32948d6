/**
 * The prune executor: deletes what a {@link com.eazepay.backup.retention.RetentionPlan} removes, manifest
 * first, plus stale unfinished uploads. Internal: the engine's {@code prune()} is the public way
 * in; no compatibility promise.
 */
package com.eazepay.backup.internal.retention;
