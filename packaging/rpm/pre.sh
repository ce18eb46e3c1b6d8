# vmyard %pre: the service user exists before the files are laid down, so rpm can give the
# config its group (root:vmyard 0640). A system user with no login and no home of its own.
getent group vmyard >/dev/null || groupadd --system vmyard
getent passwd vmyard >/dev/null || \
    useradd --system --gid vmyard --home-dir /var/lib/vmyard --no-create-home \
        --shell /sbin/nologin --comment "vmyard service" vmyard
exit 0
