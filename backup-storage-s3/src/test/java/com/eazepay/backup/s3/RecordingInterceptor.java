package com.eazepay.backup.s3;

import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpRequest;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/** Records every HTTP request the client sends (after signing), to assert on headers we send. */
final class RecordingInterceptor implements ExecutionInterceptor {

    private final List<SdkHttpRequest> requests = new CopyOnWriteArrayList<>();

    @Override
    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes executionAttributes) {
        requests.add(context.httpRequest());
    }

    List<SdkHttpRequest> requests() {
        return List.copyOf(requests);
    }

    List<SdkHttpRequest> matching(Predicate<SdkHttpRequest> p) {
        return requests.stream().filter(p).toList();
    }

    static boolean isCreateMultipart(SdkHttpRequest r) {
        return r.method().name().equals("POST") && r.rawQueryParameters().containsKey("uploads");
    }

    static boolean isUploadPart(SdkHttpRequest r) {
        return r.method().name().equals("PUT") && r.rawQueryParameters().containsKey("partNumber");
    }

    static boolean isSinglePut(SdkHttpRequest r) {
        return r.method().name().equals("PUT") && r.rawQueryParameters().isEmpty() && r.encodedPath().chars().filter(c -> c == '/').count() > 1;
    }

    static boolean isAbort(SdkHttpRequest r) {
        return r.method().name().equals("DELETE") && r.rawQueryParameters().containsKey("uploadId");
    }

    static boolean isComplete(SdkHttpRequest r) {
        return r.method().name().equals("POST") && r.rawQueryParameters().containsKey("uploadId");
    }

    static String header(SdkHttpRequest r, String name) {
        return r.firstMatchingHeader(name).orElse(null);
    }
}
