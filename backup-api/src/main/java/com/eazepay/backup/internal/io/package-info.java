/** Engine internals (io). <b>No compatibility promise:</b> may change in any release. */
package com.eazepay.backup.internal.io;
