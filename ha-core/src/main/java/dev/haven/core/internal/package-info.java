/**
 * Haven's internals: the settings table, the failure detector, topology assembly, read
 * strategies, GTID arithmetic, the SQL lexer and event dispatch. Not an API: types here are public
 * only so that Haven's other modules can use them, and may change in any release.
 */
package dev.haven.core.internal;
