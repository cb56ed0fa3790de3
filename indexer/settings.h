/*
 * settings.h - the fingerprint of what a build's analysis depends on
 * besides the files themselves.
 */
#ifndef BIDX_SETTINGS_H
#define BIDX_SETTINGS_H

#include <stdint.h>

struct bidx_colmap;

/* Settings fingerprint of a build (program version, format, normaliser
 * and analysis revisions, the user dictionary's content, column map):
 * an index built with other settings is rebuilt in full. */
uint64_t bidx_build_settings(const struct bidx_colmap *map);

#endif
