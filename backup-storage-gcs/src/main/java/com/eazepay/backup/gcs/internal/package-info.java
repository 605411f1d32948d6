/**
 * Implementation details of the GCS storage plug-in (error translation, stream adapters).
 * No compatibility promise: may change in any release.
 */
package com.eazepay.backup.gcs.internal;
