/**
 * Implementation of the engine: pipeline streams, manifests, layout, JSON. <b>No compatibility
 * promise:</b> anything here may change in any release; do not import it from applications or plug-ins.
 */
package com.eazepay.backup.internal;
