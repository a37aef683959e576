# Appended by `perth init fish --install` to the script it writes (placeholders
# filled in like perth.fish's).  Upgrade check: `-nt` compares modification
# times with one stat each, builtins only.  When the installed Perth package is
# newer than this file, the file is rewritten in the background when this shell
# exits: never at start-up, never on the prompt path.

set -g _perth_installed_version @PERTH_VERSION@

if builtin test @PERTH_TEMPLATE@ -nt @PERTH_INSTALLED@ -o @PERTH_VERSION_FILE@ -nt @PERTH_INSTALLED@
    function _perth_refresh --on-event fish_exit
        @PERTH_REGENERATE@ </dev/null >/dev/null 2>&1 &
        builtin disown 2>/dev/null
    end
end
