/**
 * Haven's JDBC engine: URL parsing and the vendor driver bridge. Not an API: types here may change in any release;
 * applications use {@code dev.haven.jdbc}.
 */
package dev.haven.jdbc.internal;
