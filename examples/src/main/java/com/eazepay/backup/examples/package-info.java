/** Runnable examples: the files demo, a pre-deploy hook; PostgreSQL examples in {@code .postgres}. */
package com.eazepay.backup.examples;
