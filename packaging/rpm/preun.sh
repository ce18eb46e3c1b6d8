# vmyard %preun ($1: 0 on erase, 1 on upgrade): an erase stops and disables the service; an
# upgrade leaves it running for %postun to restart.
if [ "$1" -eq 0 ] && command -v systemctl >/dev/null; then
    if [ -d /run/systemd/system ]; then
        systemctl stop vmyard.service >/dev/null 2>&1 || :
    fi
    systemctl disable vmyard.service >/dev/null 2>&1 || :
fi
exit 0
