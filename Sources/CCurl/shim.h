#ifndef CELL_CCURL_SHIM_H
#define CELL_CCURL_SHIM_H
/* libcurl's declarations only: cell loads the library when a registry is first used (dlopen),
   so that no other command pays for loading it and the libraries it needs. Its variadic
   functions cannot be called from Swift; these call them, given the pointer dlsym found. */
#include <curl/curl.h>

static inline CURLcode cell_curl_setopt_long(void *function, CURL *handle, CURLoption option, long value) {
    return ((CURLcode (*)(CURL *, CURLoption, ...))function)(handle, option, value);
}

static inline CURLcode cell_curl_setopt_pointer(void *function, CURL *handle, CURLoption option, const void *value) {
    return ((CURLcode (*)(CURL *, CURLoption, ...))function)(handle, option, value);
}

static inline CURLcode cell_curl_setopt_offset(void *function, CURL *handle, CURLoption option, curl_off_t value) {
    return ((CURLcode (*)(CURL *, CURLoption, ...))function)(handle, option, value);
}

static inline CURLcode cell_curl_getinfo_long(void *function, CURL *handle, CURLINFO info, long *value) {
    return ((CURLcode (*)(CURL *, CURLINFO, ...))function)(handle, info, value);
}

static inline CURLcode cell_curl_getinfo_string(void *function, CURL *handle, CURLINFO info, char **value) {
    return ((CURLcode (*)(CURL *, CURLINFO, ...))function)(handle, info, value);
}
#endif
