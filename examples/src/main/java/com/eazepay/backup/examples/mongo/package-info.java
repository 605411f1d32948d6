/** MongoDB example: an in-process demo of backup and verified restore in the mongodump archive format. */
package com.eazepay.backup.examples.mongo;
