/** Engine internals (codec). <b>No compatibility promise:</b> may change in any release. */
package com.eazepay.backup.internal.codec;
