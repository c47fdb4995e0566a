/* Self-checking memory dirtier for the Podvisor test guest.
 *
 *   dirtier MIB [RATE_MIB_PER_S]
 *
 * Keeps a buffer of MIB MiB in which every 8-byte word of every page holds a value derived
 * from (page index, word index, generation). Round 0 fills the buffer; every later round
 * walks the pages in order, verifies each page against the previous generation and then
 * rewrites it with the current one. A page that a live migration lost or copied stale is
 * therefore found on the next pass. RATE limits the rewrite speed in MiB/s (0 or absent:
 * as fast as the vCPU allows).
 *
 * DIRTIER_INJECT=PAGE in the environment flips one word of that page after round 2, once:
 * a self-test of the checker (the next round must report CORRUPTION page=PAGE).
 *
 * Output (on stdout, which /init points at the serial console):
 *   PODVISOR-GUEST: dirtier started mib=N rate_mib=M pages=P
 *   PODVISOR-GUEST: dirtier round=<n> ok pages=<p> elapsed_ms=<ms>          (at most ~1/s)
 *   PODVISOR-GUEST: dirtier CORRUPTION page=<i> word=<w> expected=<hex> found=<hex> round=<n>
 *   PODVISOR-GUEST: dirtier round=<n> CORRUPTION bad_pages=<k>
 * A round with a bad page never prints "ok". Built with gcc -static -O2 (tools/guest/build.sh).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096u
#define WORDS (PAGE / sizeof(uint64_t))
#define MAX_REPORTS_PER_ROUND 16

static uint64_t pattern(uint64_t page, uint64_t word, uint64_t gen) {
  /* Page index and generation are readable in the first two words; the rest is mixed so
   * that a page copied from another page or from another generation never matches. */
  if (word == 0) return 0x50445649ull << 32 | (page & 0xffffffffull); /* "PDVI" | page */
  if (word == 1) return gen;
  uint64_t x = page * 0x9e3779b97f4a7c15ull ^ gen * 0xc2b2ae3d27d4eb4full ^ word;
  x ^= x >> 31;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 29;
  return x;
}

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void sleep_ns(uint64_t ns) {
  struct timespec ts = {(time_t)(ns / 1000000000ull), (long)(ns % 1000000000ull)};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

static void fill(uint64_t *p, uint64_t page, uint64_t gen) {
  for (uint64_t w = 0; w < WORDS; ++w) p[w] = pattern(page, w, gen);
}

int main(int argc, char **argv) {
  if (argc < 2 || argc > 3) {
    fprintf(stderr, "usage: %s MIB [RATE_MIB_PER_S]\n", argv[0]);
    return 2;
  }
  char *end = NULL;
  unsigned long mib = strtoul(argv[1], &end, 10);
  if (*argv[1] == '\0' || *end != '\0' || mib == 0 || mib > 1u << 20) {
    fprintf(stderr, "dirtier: bad size '%s' (MiB, > 0)\n", argv[1]);
    return 2;
  }
  unsigned long rate = 0;
  if (argc == 3) {
    rate = strtoul(argv[2], &end, 10);
    if (*argv[2] == '\0' || *end != '\0') {
      fprintf(stderr, "dirtier: bad rate '%s' (MiB/s, 0 = unlimited)\n", argv[2]);
      return 2;
    }
  }
  setvbuf(stdout, NULL, _IOLBF, 0);

  const uint64_t pages = (uint64_t)mib * (1024 * 1024 / PAGE);
  const char *inject_env = getenv("DIRTIER_INJECT");
  long long inject = inject_env ? atoll(inject_env) : -1;
  uint64_t *buf = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
  if (buf == MAP_FAILED) {
    printf("PODVISOR-GUEST: dirtier FAILED mmap of %lu MiB: %s\n", mib, strerror(errno));
    return 1;
  }
  mlock(buf, pages * PAGE); /* best effort; the guest has no swap anyway */

  printf("PODVISOR-GUEST: dirtier started mib=%lu rate_mib=%lu pages=%llu\n", mib, rate,
         (unsigned long long)pages);
  for (uint64_t i = 0; i < pages; ++i) fill(buf + i * WORDS, i, 0);

  /* Pacing: one chunk of 256 pages (1 MiB) should take 1/rate s. */
  const uint64_t chunk = 256;
  const uint64_t chunk_ns = rate ? 1000000000ull / rate : 0;
  uint64_t last_print = 0;
  for (uint64_t gen = 1;; ++gen) {
    uint64_t bad = 0;
    uint64_t start = now_ns();
    uint64_t chunk_start = start;
    for (uint64_t i = 0; i < pages; ++i) {
      uint64_t *p = buf + i * WORDS;
      for (uint64_t w = 0; w < WORDS; ++w) {
        uint64_t want = pattern(i, w, gen - 1);
        if (p[w] != want) {
          if (bad < MAX_REPORTS_PER_ROUND)
            printf("PODVISOR-GUEST: dirtier CORRUPTION page=%llu word=%llu expected=%016llx "
                   "found=%016llx found_page_word=%016llx found_gen=%llu round=%llu\n",
                   (unsigned long long)i, (unsigned long long)w, (unsigned long long)want,
                   (unsigned long long)p[w], (unsigned long long)p[0],
                   (unsigned long long)p[1], (unsigned long long)gen);
          ++bad;
          break;
        }
      }
      fill(p, i, gen);
      if (chunk_ns && (i + 1) % chunk == 0) {
        uint64_t spent = now_ns() - chunk_start;
        if (spent < chunk_ns) sleep_ns(chunk_ns - spent);
        chunk_start = now_ns();
      }
    }
    if (gen == 2 && inject >= 0 && (uint64_t)inject < pages) buf[(uint64_t)inject * WORDS + 7] ^= 1;
    uint64_t t = now_ns();
    if (bad) {
      printf("PODVISOR-GUEST: dirtier round=%llu CORRUPTION bad_pages=%llu\n",
             (unsigned long long)gen, (unsigned long long)bad);
      last_print = t;
    } else if (gen <= 2 || t - last_print >= 1000000000ull) {
      printf("PODVISOR-GUEST: dirtier round=%llu ok pages=%llu elapsed_ms=%llu\n",
             (unsigned long long)gen, (unsigned long long)pages,
             (unsigned long long)((t - start) / 1000000ull));
      last_print = t;
    }
  }
}
