fn main() {
    println!("ftpflow: under construction");
}
