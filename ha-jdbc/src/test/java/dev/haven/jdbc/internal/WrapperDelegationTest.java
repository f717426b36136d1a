package dev.haven.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringReader;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.math.BigDecimal;
import java.net.MalformedURLException;
import java.net.URL;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.sql.Time;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Calendar;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The wrappers' completeness, checked by reflection so that a missing delegate fails the build instead of
 * silently inheriting one of the interface's default methods (which throw {@code SQLFeatureNotSupportedException}),
 * and their forwarding, checked method by method against a recording {@link Proxy} standing in for the vendor
 * object: each call must reach the same method with the very same arguments and answer what the vendor answered.
 */
class WrapperDelegationTest {

    // ------------------------------------------------------------------------------------------- completeness

    @Test
    void haResultSetDeclaresEveryResultSetMethod() {
        assertThat(missingDeclarations(HaResultSet.class, ResultSet.class)).isEmpty();
        assertThat(Modifier.isFinal(HaResultSet.class.getModifiers())).isTrue();
    }

    @Test
    void haDatabaseMetaDataDeclaresEveryDatabaseMetaDataMethod() {
        assertThat(missingDeclarations(HaDatabaseMetaData.class, DatabaseMetaData.class)).isEmpty();
        assertThat(Modifier.isFinal(HaDatabaseMetaData.class.getModifiers())).isTrue();
    }

    @Test
    void callableStatementDelegateHasADefaultForEveryMethodCallableStatementDeclares() {
        List<String> missing = new ArrayList<>();
        for (Method m : CallableStatement.class.getDeclaredMethods()) {
            if (Modifier.isStatic(m.getModifiers())) {
                continue;
            }
            Method own = declared(CallableStatementDelegate.class, m);
            if (own == null || !own.isDefault()) {
                missing.add(signature(m));
            }
        }
        assertThat(missing).isEmpty();
    }

    @Test
    void callableStatementDelegateLeavesPreparedStatementMethodsToTheClass() {
        List<String> extra = new ArrayList<>();
        for (Method own : CallableStatementDelegate.class.getDeclaredMethods()) {
            if (own.getName().equals("rawCallable") && own.getParameterCount() == 0) {
                assertThat(own.isDefault()).isFalse();
                continue;
            }
            if (declared(CallableStatement.class, own) == null || inherited(PreparedStatement.class, own)) {
                extra.add(signature(own));
            }
        }
        assertThat(extra).isEmpty();
    }

    /** What {@code iface} has (its own methods, its super-interfaces', its defaults) that {@code wrapper} does not declare. */
    private static List<String> missingDeclarations(Class<?> wrapper, Class<?> iface) {
        List<String> missing = new ArrayList<>();
        for (Method m : iface.getMethods()) {
            if (Modifier.isStatic(m.getModifiers())) {
                continue;
            }
            Method own = declared(wrapper, m);
            if (own == null || !Modifier.isPublic(own.getModifiers()) || own.isSynthetic()) {
                missing.add(signature(m));
            }
        }
        return missing;
    }

    private static Method declared(Class<?> type, Method like) {
        try {
            return type.getDeclaredMethod(like.getName(), like.getParameterTypes());
        } catch (NoSuchMethodException e) {
            return null;
        }
    }

    private static boolean inherited(Class<?> type, Method like) {
        try {
            type.getMethod(like.getName(), like.getParameterTypes());
            return true;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    private static String signature(Method m) {
        StringBuilder s = new StringBuilder(m.getName()).append('(');
        Class<?>[] types = m.getParameterTypes();
        for (int i = 0; i < types.length; i++) {
            s.append(i == 0 ? "" : ", ").append(types[i].getSimpleName());
        }
        return s.append(')').toString();
    }

    // ---------------------------------------------------------------------------------------------- forwarding

    @Test
    void haResultSetForwardsEveryMethodButGetStatementAndTheWrapperOnes() throws Exception {
        Recorder vendor = new Recorder();
        ResultSet raw = vendor.proxy(ResultSet.class);
        Statement owner = noop(Statement.class);
        HaResultSet rs = new HaResultSet(raw, owner);
        int checked = 0;
        for (Method m : ResultSet.class.getMethods()) {
            if (Modifier.isStatic(m.getModifiers()) || isWrapperMethod(m) || m.getName().equals("getStatement")) {
                continue;
            }
            Object result = invokeAndCheckForwarding(rs, m, vendor);
            assertThat(result).as(signature(m)).isEqualTo(vendor.returned);
            checked++;
        }
        assertThat(checked).isGreaterThan(180);
        assertThat(rs.getStatement()).isSameAs(owner);
        assertThat(rs.raw()).isSameAs(raw);
    }

    @Test
    void haDatabaseMetaDataForwardsEveryMethodAndWrapsEveryResultSet() throws Exception {
        Recorder vendor = new Recorder();
        DatabaseMetaData raw = vendor.proxy(DatabaseMetaData.class);
        Connection owner = noop(Connection.class);
        HaDatabaseMetaData meta = new HaDatabaseMetaData(raw, owner);
        int resultSets = 0;
        for (Method m : DatabaseMetaData.class.getMethods()) {
            if (Modifier.isStatic(m.getModifiers()) || isWrapperMethod(m) || m.getName().equals("getConnection")) {
                continue;
            }
            Object result = invokeAndCheckForwarding(meta, m, vendor);
            if (m.getReturnType() == ResultSet.class) {
                assertThat(result).as(signature(m)).isInstanceOf(HaResultSet.class);
                assertThat(((HaResultSet) result).raw()).as(signature(m)).isSameAs(vendor.returned);
                assertThat(((HaResultSet) result).getStatement()).as(signature(m)).isNull();
                resultSets++;
            } else {
                assertThat(result).as(signature(m)).isEqualTo(vendor.returned);
            }
        }
        assertThat(resultSets).isEqualTo(26);
        assertThat(meta.getConnection()).isSameAs(owner);
        assertThat(meta.raw()).isSameAs(raw);
    }

    @Test
    void callableStatementDelegateForwardsEveryCallableMethodToRawCallable() throws Exception {
        Recorder vendor = new Recorder();
        CallableStatement raw = vendor.proxy(CallableStatement.class);
        // An implementation whose only abstract-method answer is rawCallable(); every other call runs the default.
        InvocationHandler onlyDefaults = (proxy, method, args) -> {
            if (method.getName().equals("rawCallable")) {
                return raw;
            }
            if (method.isDefault()) {
                return InvocationHandler.invokeDefault(proxy, method, args);
            }
            throw new AssertionError("not a default method: " + method);
        };
        CallableStatementDelegate delegate = (CallableStatementDelegate) Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {CallableStatementDelegate.class}, onlyDefaults);
        int checked = 0;
        for (Method m : CallableStatement.class.getDeclaredMethods()) {
            if (Modifier.isStatic(m.getModifiers())) {
                continue;
            }
            Object result = invokeAndCheckForwarding(delegate, m, vendor);
            assertThat(result).as(signature(m)).isEqualTo(vendor.returned);
            checked++;
        }
        assertThat(checked).isEqualTo(121);
    }

    @Test
    void unwrapAnswersTheWrapperFirstThenAsksTheVendor() throws Exception {
        Recorder vendor = new Recorder();
        HaResultSet rs = new HaResultSet(vendor.proxy(ResultSet.class), null);
        assertThat(rs.unwrap(ResultSet.class)).isSameAs(rs);
        assertThat(rs.unwrap(HaResultSet.class)).isSameAs(rs);
        assertThat(rs.isWrapperFor(ResultSet.class)).isTrue();
        assertThat(vendor.method).isNull();
        rs.unwrap(Statement.class);
        assertThat(vendor.method.getName()).isEqualTo("unwrap");
        assertThat(vendor.args).containsExactly(Statement.class);
        rs.isWrapperFor(Statement.class);
        assertThat(vendor.method.getName()).isEqualTo("isWrapperFor");
        assertThat(vendor.args).containsExactly(Statement.class);

        Recorder metaVendor = new Recorder();
        HaDatabaseMetaData meta = new HaDatabaseMetaData(metaVendor.proxy(DatabaseMetaData.class), noop(Connection.class));
        assertThat(meta.unwrap(DatabaseMetaData.class)).isSameAs(meta);
        assertThat(meta.isWrapperFor(HaDatabaseMetaData.class)).isTrue();
        assertThat(metaVendor.method).isNull();
        meta.unwrap(Connection.class);
        assertThat(metaVendor.method.getName()).isEqualTo("unwrap");
        assertThat(metaVendor.args).containsExactly(Connection.class);
    }

    @Test
    void wrapKeepsNullAndTheConstructorsRefuseAMissingVendorObject() {
        assertThat(HaResultSet.wrap(null, noop(Statement.class))).isNull();
        assertThat(HaResultSet.wrap(noop(ResultSet.class), null)).isInstanceOf(HaResultSet.class);
        assertThatThrownBy(() -> new HaResultSet(null, null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new HaDatabaseMetaData(null, noop(Connection.class)))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new HaDatabaseMetaData(noop(DatabaseMetaData.class), null))
                .isInstanceOf(NullPointerException.class);
    }

    private static boolean isWrapperMethod(Method m) {
        return m.getName().equals("unwrap") || m.getName().equals("isWrapperFor");
    }

    /** Calls {@code m} on {@code target} with distinct arguments and checks that the vendor saw exactly that call. */
    private static Object invokeAndCheckForwarding(Object target, Method m, Recorder vendor) throws Exception {
        Class<?>[] types = m.getParameterTypes();
        Object[] args = new Object[types.length];
        for (int i = 0; i < types.length; i++) {
            args[i] = sample(types[i], i + 1);
        }
        vendor.reset();
        Object result = m.invoke(target, args);
        assertThat(vendor.method).as(signature(m) + " reached the vendor").isNotNull();
        assertThat(signature(vendor.method)).isEqualTo(signature(m));
        Object[] seen = vendor.args == null ? new Object[0] : vendor.args;
        assertThat(seen).as(signature(m) + " arguments").hasSameSizeAs(args);
        for (int i = 0; i < args.length; i++) {
            if (types[i].isPrimitive()) {
                assertThat(seen[i]).as(signature(m) + " argument " + i).isEqualTo(args[i]);
            } else {
                assertThat(seen[i]).as(signature(m) + " argument " + i).isSameAs(args[i]);
            }
        }
        return result;
    }

    /** A value of {@code type}, distinct per {@code seed} wherever the type allows, boxed where primitive. */
    private static Object sample(Class<?> type, int seed) {
        if (type == int.class) {
            return seed;
        } else if (type == long.class) {
            return seed * 1_000L;
        } else if (type == short.class) {
            return (short) seed;
        } else if (type == byte.class) {
            return (byte) seed;
        } else if (type == float.class) {
            return seed + 0.5f;
        } else if (type == double.class) {
            return seed + 0.25;
        } else if (type == boolean.class) {
            return seed % 2 == 1;
        } else if (type == String.class) {
            return "s" + seed;
        } else if (type == Object.class) {
            return new Object();
        } else if (type == Class.class) {
            return Integer.class;
        } else if (type == Map.class) {
            return Map.of("k" + seed, String.class);
        } else if (type == int[].class) {
            return new int[] {seed};
        } else if (type == String[].class) {
            return new String[] {"a" + seed};
        } else if (type == byte[].class) {
            return new byte[] {(byte) seed};
        } else if (type == BigDecimal.class) {
            return BigDecimal.valueOf(seed, 2);
        } else if (type == Date.class) {
            return new Date(seed * 86_400_000L);
        } else if (type == Time.class) {
            return new Time(seed * 1_000L);
        } else if (type == Timestamp.class) {
            return new Timestamp(seed * 1_001L);
        } else if (type == Calendar.class) {
            return Calendar.getInstance();
        } else if (type == InputStream.class) {
            return new ByteArrayInputStream(new byte[seed]);
        } else if (type == Reader.class) {
            return new StringReader("r" + seed);
        } else if (type == SQLWarning.class) {
            return new SQLWarning("w" + seed);
        } else if (type == URL.class) {
            try {
                return new URL("http://example.invalid/" + seed);
            } catch (MalformedURLException e) {
                throw new AssertionError(e);
            }
        } else if (type.isEnum()) {
            return type.getEnumConstants()[seed % type.getEnumConstants().length];
        } else if (type.isInterface()) {
            return noop(type);
        }
        throw new AssertionError("no sample for " + type);
    }

    /** An implementation of {@code type} that answers nothing; compared by identity only. */
    private static <T> T noop(Class<T> type) {
        return type.cast(Proxy.newProxyInstance(WrapperDelegationTest.class.getClassLoader(), new Class<?>[] {type},
                (proxy, method, args) -> objectMethod(proxy, method, args)));
    }

    private static Object objectMethod(Object proxy, Method method, Object[] args) {
        switch (method.getName()) {
            case "equals":
                return proxy == args[0];
            case "hashCode":
                return System.identityHashCode(proxy);
            case "toString":
                return "noop@" + Integer.toHexString(System.identityHashCode(proxy));
            default:
                Class<?> r = method.getReturnType();
                return r.isPrimitive() && r != void.class ? sample(r, 0) : null;
        }
    }

    /** The vendor object: remembers the last call and answers a fresh, recognisable value for it. */
    private static final class Recorder implements InvocationHandler {
        Method method;
        Object[] args;
        Object returned;

        <T> T proxy(Class<T> type) {
            return type.cast(Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {type}, this));
        }

        void reset() {
            method = null;
            args = null;
            returned = null;
        }

        @Override
        public Object invoke(Object proxy, Method m, Object[] a) {
            if (m.getDeclaringClass() == Object.class) {
                return objectMethod(proxy, m, a);
            }
            method = m;
            args = a == null ? null : Arrays.copyOf(a, a.length);
            Class<?> r = m.getReturnType();
            returned = r == void.class ? null : sample(r, 97);
            return returned;
        }
    }
}
