/** Engine internals (files). <b>No compatibility promise:</b> may change in any release. */
package com.eazepay.backup.internal.files;
