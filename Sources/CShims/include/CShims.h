// Typed, non-variadic wrappers for the few C functions Swift cannot call:
// libcurl's variadic setopt/getinfo and librabbitmq's variadic amqp_login.
// Every function is prefixed `ms2m_` and does nothing but forward its arguments.
#ifndef MS2M_CSHIMS_H
#define MS2M_CSHIMS_H

#include <stddef.h>
#include <curl/curl.h>
#include <amqp.h>

#pragma clang assume_nonnull begin

typedef size_t (*ms2m_curl_data_callback)(char *_Nullable buffer, size_t size, size_t nitems, void *_Nullable userdata);
typedef int (*ms2m_curl_xferinfo_callback)(void *_Nullable clientp, curl_off_t dltotal, curl_off_t dlnow,
                                           curl_off_t ultotal, curl_off_t ulnow);

CURLcode ms2m_curl_easy_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode ms2m_curl_easy_setopt_off(CURL *handle, CURLoption option, curl_off_t value);
/// Passes a pointer (string, slist, userdata) through unchanged; curl copies strings it is given.
CURLcode ms2m_curl_easy_setopt_ptr(CURL *handle, CURLoption option, const void *_Nullable value);
/// Sets a blob option (CURLOPT_CAINFO_BLOB, CURLOPT_SSLCERT_BLOB, CURLOPT_SSLKEY_BLOB); curl copies the bytes.
CURLcode ms2m_curl_easy_setopt_blob(CURL *handle, CURLoption option, const void *data, size_t length);
/// Sets CURLOPT_WRITEFUNCTION, CURLOPT_HEADERFUNCTION or CURLOPT_READFUNCTION.
CURLcode ms2m_curl_easy_setopt_data_callback(CURL *handle, CURLoption option, ms2m_curl_data_callback _Nullable callback);
CURLcode ms2m_curl_easy_setopt_xferinfo_callback(CURL *handle, ms2m_curl_xferinfo_callback _Nullable callback);

CURLcode ms2m_curl_easy_getinfo_long(CURL *handle, CURLINFO info, long *value);
CURLcode ms2m_curl_easy_getinfo_off(CURL *handle, CURLINFO info, curl_off_t *value);
CURLcode ms2m_curl_easy_getinfo_pointer(CURL *handle, CURLINFO info, void *_Nullable *_Nonnull value);

CURLMcode ms2m_curl_multi_setopt_long(CURLM *multi, CURLMoption option, long value);

/// The value curl's write callback returns to pause a transfer.
size_t ms2m_curl_writefunc_pause(void);

/// amqp_login with SASL PLAIN (user, password).
amqp_rpc_reply_t ms2m_amqp_login_plain(amqp_connection_state_t state, const char *vhost, int channel_max,
                                       int frame_max, int heartbeat, const char *user, const char *password);

/// amqp_login_with_properties with SASL PLAIN: `properties` are merged into librabbitmq's client properties
/// (a `capabilities` sub-table is merged with the library's own capabilities).
amqp_rpc_reply_t ms2m_amqp_login_plain_with_properties(amqp_connection_state_t state, const char *vhost,
                                                       int channel_max, int frame_max, int heartbeat,
                                                       const amqp_table_t *properties, const char *user,
                                                       const char *password);

#pragma clang assume_nonnull end

#endif
