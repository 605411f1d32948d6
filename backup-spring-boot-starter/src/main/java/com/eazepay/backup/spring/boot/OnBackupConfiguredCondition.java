package com.eazepay.backup.spring.boot;

import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/** Matches when {@code eazepay.backup.repository.type} is set and {@code eazepay.backup.enabled} is not false. */
final class OnBackupConfiguredCondition extends SpringBootCondition {

    @Override
    public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
        Binder binder = Binder.get(context.getEnvironment());
        if (!binder.bind(BackupPropertyTree.PREFIX + ".enabled", Boolean.class).orElse(true)) {
            return ConditionOutcome.noMatch("eazepay.backup.enabled is false");
        }
        if (!binder.bind(BackupPropertyTree.PREFIX + ".repository.type", String.class).isBound()) {
            return ConditionOutcome.noMatch("eazepay.backup.repository.type is not set");
        }
        return ConditionOutcome.match("eazepay.backup.repository.type is set");
    }
}
