/* Force-included (gcc -include) when the bundle's Python and SQLite are built, so that they run
 * on glibc 2.28 (统信UOS 20, based on Debian 10) although built on Debian 11 (glibc 2.31).
 *
 * glibc 2.29 gave exp, exp2, log, log2 and pow new symbol versions (new implementations without
 * the old SVID error handling); a program built against 2.29 or later asks for those versions and
 * does not load on 2.28. Binding each reference to the version every glibc since 2.2.5 has keeps
 * the results (both are correctly rounded to within 1 ulp; only errno handling on overflow differs,
 * which Python and SQLite check themselves). sem_clockwait (2.30) is kept out by configure
 * (ac_cv_func_sem_clockwait=no: Python then waits with sem_timedwait, as on older systems). */
#ifndef MQSC_GLIBC_2_28_H
#define MQSC_GLIBC_2_28_H
#if defined(__x86_64__) && defined(__GNUC__)
__asm__(".symver exp,exp@GLIBC_2.2.5");
__asm__(".symver exp2,exp2@GLIBC_2.2.5");
__asm__(".symver log,log@GLIBC_2.2.5");
__asm__(".symver log2,log2@GLIBC_2.2.5");
__asm__(".symver pow,pow@GLIBC_2.2.5");
#endif
#endif
