pub mod nmcli;
