/**
 * PostgreSQL examples: {@link com.eazepay.backup.examples.postgres.PreDeployHook} (a deployment-pipeline step)
 * and {@link com.eazepay.backup.examples.postgres.PostgresDemo} (a self-contained backup, verify and restore).
 */
package com.eazepay.backup.examples.postgres;
