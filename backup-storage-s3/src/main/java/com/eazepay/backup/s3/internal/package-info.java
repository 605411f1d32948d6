/**
 * Internals of the S3 storage plug-in: error translation, the streaming multipart uploader, thread
 * factories. No compatibility promise: these classes may change in any release.
 */
package com.eazepay.backup.s3.internal;
