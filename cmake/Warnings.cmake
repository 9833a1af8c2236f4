# avtaleflyt_module(TARGET): the project's compile settings for every target it builds.
function(avtaleflyt_module target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wconversion
                                           -Wno-sign-conversion -Wnon-virtual-dtor)
  if(AVTALEFLYT_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  if(AVTALEFLYT_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-omit-frame-pointer
                                             -fno-sanitize-recover=all)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
  if(AVTALEFLYT_FUZZ)
    # Coverage for libFuzzer in every module; the harnesses link the fuzzer itself (tests/fuzz).
    target_compile_options(${target} PRIVATE -fsanitize=fuzzer-no-link,address,undefined
                                             -fno-omit-frame-pointer -fno-sanitize-recover=all)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
endfunction()
