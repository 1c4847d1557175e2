package dev.managedsecrets.operator.kms.pkcs11;

import java.lang.reflect.InvocationTargetException;
import java.nio.file.Path;

/**
 * Finds the slot of a token by its label. SunPKCS11 selects slots only by id or index, and slot ids
 * change (SoftHSM2 derives them from the token's serial), so this asks the library itself through
 * the JDK's PKCS#11 wrapper, which needs {@code --add-exports
 * jdk.crypto.cryptoki/sun.security.pkcs11.wrapper=ALL-UNNAMED} (the operator's jar manifest sets
 * it).
 */
final class Pkcs11Slots {

  private static final String WRAPPER = "sun.security.pkcs11.wrapper.";
  private static final long CKF_OS_LOCKING_OK = 0x2L;

  private Pkcs11Slots() {}

  static long slotOfToken(Path library, String tokenLabel) {
    try {
      Class<?> pkcs11 = Class.forName(WRAPPER + "PKCS11");
      Class<?> initArgsClass = Class.forName(WRAPPER + "CK_C_INITIALIZE_ARGS");
      Object initArgs = initArgsClass.getConstructor().newInstance();
      // The same initialisation as SunPKCS11's, which shares this module instance.
      initArgsClass.getField("flags").setLong(initArgs, CKF_OS_LOCKING_OK);
      Object module =
          pkcs11
              .getMethod("getInstance", String.class, String.class, initArgsClass, boolean.class)
              .invoke(null, library.toString(), "C_GetFunctionList", initArgs, false);
      long[] slots = (long[]) pkcs11.getMethod("C_GetSlotList", boolean.class).invoke(module, true);
      for (long slot : slots) {
        Object info = pkcs11.getMethod("C_GetTokenInfo", long.class).invoke(module, slot);
        char[] label = (char[]) info.getClass().getField("label").get(info);
        if (new String(label).trim().equals(tokenLabel)) {
          return slot;
        }
      }
      throw new IllegalStateException(
          "No PKCS#11 token labelled " + tokenLabel + " in the slots of " + library);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(
          "Selecting a PKCS#11 token by label needs the JVM option --add-exports"
              + " jdk.crypto.cryptoki/sun.security.pkcs11.wrapper=ALL-UNNAMED (the operator's jar"
              + " sets it); or configure kms.pkcs11.slot instead.",
          e);
    } catch (InvocationTargetException e) {
      throw new IllegalStateException(
          "Could not list the tokens of " + library + ": " + e.getCause(), e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("This JDK has no SunPKCS11 wrapper: " + e, e);
    }
  }
}
