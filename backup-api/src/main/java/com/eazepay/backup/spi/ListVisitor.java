package com.eazepay.backup.spi;

/** Receives the objects of a {@link StorageTarget#list} call, one at a time. */
@FunctionalInterface
public interface ListVisitor {
    /** Called once per object. An exception thrown here aborts the listing and propagates. */
    void visit(ObjectInfo object);
}
