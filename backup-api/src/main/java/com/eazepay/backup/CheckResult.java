package com.eazepay.backup;

import java.util.Objects;

/**
 * One post-restore check and its outcome.
 *
 * @param name   what was checked, e.g. {@code rows public.users} or {@code select count(*) from users >= 1}
 * @param passed whether it held
 * @param detail expected and actual values, e.g. {@code expected 1200, found 1200}
 */
public record CheckResult(String name, boolean passed, String detail) {
    public CheckResult {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(detail, "detail");
    }

    public static CheckResult passed(String name, String detail) {
        return new CheckResult(name, true, detail);
    }

    public static CheckResult failed(String name, String detail) {
        return new CheckResult(name, false, detail);
    }
}
