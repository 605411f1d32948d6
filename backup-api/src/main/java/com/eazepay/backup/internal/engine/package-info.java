/**
 * The engine's operations behind the {@link com.eazepay.backup.BackupEngine} facade: its immutable
 * configuration ({@link com.eazepay.backup.internal.engine.EngineConfig}), the repository catalog
 * (manifests, markers, reports, selection), and one class per verb (backup, restore and verify,
 * prune, rekey). <b>No compatibility promise:</b> anything here may change in any release.
 */
package com.eazepay.backup.internal.engine;
