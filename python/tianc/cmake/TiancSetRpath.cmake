# cmake -DFILE=<binary> -DRPATH=<a:b:...> -P TiancSetRpath.cmake: sets an ELF
# binary's run path (no longer than the one it was linked with).
file(RPATH_SET FILE "${FILE}" NEW_RPATH "${RPATH}")
