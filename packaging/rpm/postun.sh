# vmyard %postun ($1: 0 on erase, 1 on upgrade). An erase keeps /var/lib/vmyard and an edited
# config (saved as vmyard.toml.rpmsave); rpm has no purge, so deleting them is the admin's
# `rm -rf /var/lib/vmyard /etc/vmyard`. The vmyard user stays, as files it owned may remain.
if [ -d /run/systemd/system ]; then
    systemctl daemon-reload >/dev/null 2>&1 || :
    if [ "$1" -ge 1 ]; then
        # An upgrade restarts a running service on the new binary.
        systemctl try-restart vmyard.service >/dev/null 2>&1 || :
    fi
fi
exit 0
