/* include/bindbridge/version.h: the bindbridge release number, the one place it is written. */
#ifndef BINDBRIDGE_VERSION_H
#define BINDBRIDGE_VERSION_H

/* CMakeLists.txt parses these three lines and pyproject.toml the string
   (regex provider); CMake fails the configure if the string disagrees. */
#define BINDBRIDGE_VERSION_MAJOR 0
#define BINDBRIDGE_VERSION_MINOR 1
#define BINDBRIDGE_VERSION_PATCH 0
#define BINDBRIDGE_VERSION_STRING "0.1.0"

/* 0xMMmmpp00, ordered like PY_VERSION_HEX so that #if can compare releases;
   the low byte is kept zero for a release level we do not use yet. */
#define BINDBRIDGE_VERSION_HEX                                                 \
    ((BINDBRIDGE_VERSION_MAJOR << 24) | (BINDBRIDGE_VERSION_MINOR << 16) |     \
     (BINDBRIDGE_VERSION_PATCH << 8))

#endif /* BINDBRIDGE_VERSION_H */
