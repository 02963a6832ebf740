/*
 * The libwbxml side of `cargo bench -p benches --bench wbxml --features libwbxml`: converts one
 * file with libwbxml's own functions as many times as criterion asks and prints how long that
 * took, so that criterion (iter_custom) times libwbxml in the same run as our code, without
 * the process start or the file read.
 *
 *   libwbxml-bench wbxml2xml|xml2wbxml FILE ITERATIONS   ->  nanoseconds on stdout
 *
 * Each conversion is what a libwbxml user writes: the library allocates the output and the
 * caller frees it. XML is written compact, WBXML as version 1.3 without a string table, as
 * the Rust side writes them. Build (build.rs does it): cc -O2 libwbxml-bench.c
 * $(pkg-config --cflags --libs libwbxml2), from Debian's libwbxml2-dev.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wbxml/wbxml.h>
#include <wbxml/wbxml_conv.h>

static unsigned char *read_file(const char *path, size_t *len)
{
    FILE *file = fopen(path, "rb");
    if (file == NULL || fseek(file, 0, SEEK_END) != 0) {
        perror(path);
        exit(2);
    }
    long size = ftell(file);
    rewind(file);
    unsigned char *bytes = malloc((size_t)size + 1);
    if (size < 0 || bytes == NULL || fread(bytes, 1, (size_t)size, file) != (size_t)size) {
        perror(path);
        exit(2);
    }
    bytes[size] = 0;
    fclose(file);
    *len = (size_t)size;
    return bytes;
}

static WBXMLError convert(int to_xml, unsigned char *in, size_t len)
{
    WB_UTINY *out = NULL;
    WB_ULONG out_len = 0;
    WBXMLError err;
    if (to_xml) {
        WBXMLGenXMLParams params = {WBXML_GEN_XML_COMPACT, WBXML_LANG_UNKNOWN,
                                    WBXML_CHARSET_UNKNOWN, 0, FALSE};
        err = wbxml_conv_wbxml2xml_withlen(in, (WB_ULONG)len, &out, &out_len, &params);
    } else {
        WBXMLGenWBXMLParams params = {WBXML_VERSION_13, FALSE, FALSE, FALSE};
        err = wbxml_conv_xml2wbxml_withlen(in, (WB_ULONG)len, &out, &out_len, &params);
    }
    free(out);
    return err;
}

int main(int argc, char **argv)
{
    if (argc != 4 || (strcmp(argv[1], "wbxml2xml") != 0 && strcmp(argv[1], "xml2wbxml") != 0)) {
        fprintf(stderr, "usage: %s wbxml2xml|xml2wbxml FILE ITERATIONS\n", argv[0]);
        return 2;
    }
    int to_xml = strcmp(argv[1], "wbxml2xml") == 0;
    size_t len;
    unsigned char *in = read_file(argv[2], &len);
    unsigned long long iterations = strtoull(argv[3], NULL, 10);
    /* One untimed conversion: a file libwbxml rejects is an error, not a fast rate. */
    WBXMLError err = convert(to_xml, in, len);
    if (err != WBXML_OK) {
        fprintf(stderr, "libwbxml: %s\n", (const char *)wbxml_errors_string(err));
        return 1;
    }
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (unsigned long long i = 0; i < iterations; i++) {
        convert(to_xml, in, len);
    }
    clock_gettime(CLOCK_MONOTONIC, &end);
    long long ns = (long long)(end.tv_sec - start.tv_sec) * 1000000000LL
                   + (end.tv_nsec - start.tv_nsec);
    printf("%lld\n", ns);
    free(in);
    return 0;
}
