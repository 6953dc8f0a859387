# cmake -DFROM=<build dir> -DTO=<include dir> -P TiancCopyGenerated.cmake:
# copies the .inc files tblgen made (keeping their folders), if changed.
file(GLOB_RECURSE generated RELATIVE "${FROM}" "${FROM}/dialects/*.inc" "${FROM}/passes/*.inc"
     "${FROM}/lowering/*.inc" "${FROM}/targets/*.inc")
foreach(file ${generated})
  configure_file("${FROM}/${file}" "${TO}/${file}" COPYONLY)
endforeach()
